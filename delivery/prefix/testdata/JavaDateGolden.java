// Regenerates javadate_golden.tsv with the JDK's own DateTimeFormatter:
//   java JavaDateGolden.java < javadate_patterns.txt > javadate_golden.tsv
// Each output line is: pattern TAB instant TAB zone TAB result, where result
// is the formatted text, or "!ERROR" when ofPattern or format throws.
// Instants are formatted as ZonedDateTime in each zone, English locale.
import java.io.*;
import java.time.*;
import java.time.format.*;
import java.util.*;

public class JavaDateGolden {
    static final String[] INSTANTS = {
        "2018-08-27T10:30:00Z", "2019-08-09T20:20:27.123456789Z", "2024-01-01T00:00:00Z",
        "2020-12-31T23:59:59.999Z", "1999-03-05T12:05:09.000000001Z", "2000-06-15T12:00:00Z",
    };
    static final String[] ZONES = {"UTC", "Asia/Kolkata", "America/St_Johns", "Asia/Tokyo"};
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, "UTF-8"));
        PrintStream out = new PrintStream(System.out, true, "UTF-8");
        String pattern;
        while ((pattern = in.readLine()) != null) {
            if (pattern.isEmpty()) continue;
            for (String inst : INSTANTS) {
                for (String zone : ZONES) {
                    String result;
                    try {
                        DateTimeFormatter f = DateTimeFormatter.ofPattern(pattern, Locale.ENGLISH);
                        ZoneId z = zone.equals("UTC") ? ZoneOffset.UTC : ZoneId.of(zone);
                        result = f.format(Instant.parse(inst).atZone(z));
                    } catch (RuntimeException e) {
                        result = "!ERROR";
                    }
                    out.println(pattern + "\t" + inst + "\t" + zone + "\t" + result);
                }
            }
        }
    }
}
