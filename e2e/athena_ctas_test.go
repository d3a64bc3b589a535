package e2e

// CREATE TABLE AS SELECT and INSERT INTO through the Athena API with boto3
// (both generations): scripts/athena_ctas.py makes the detailed checks (a
// CTAS into a partitioned Parquet table, its files and partitions, a
// pruned SELECT on it, INSERT INTO, the refusals); here the facts it
// reports are checked once more.

import "testing"

func TestE2EAthenaCTAS(t *testing.T) {
	forEachPython(t, func(t *testing.T, g pythonGen, s *Server) {
		res := runScript(t, g.python, s, "athena_ctas.py")
		checkVersion(t, g, res)
		if got := resNum(t, res, "files"); got != 3 {
			t.Errorf("CTAS wrote %v files, want one per partition (3)", got)
		}
		scanned, _ := res["scanned"].(map[string]any)
		full, _ := scanned["full"].(float64)
		one, _ := scanned["one"].(float64)
		if !(one > 0 && one < full) {
			t.Errorf("DataScannedInBytes: pruned %v, full %v; want 0 < pruned < full", one, full)
		}
	})
}
