package stream

import (
	"errors"
	"testing"
)

// WriteSettings, the write path's cheap lookup, agrees with Describe as
// settings change, and refuses a missing or deleted stream as Describe does.
func TestWriteSettingsFollowDescribe(t *testing.T) {
	cfg, _ := testConfig(t)
	e := openEngine(t, cfg)
	mustCreate(t, e, "s", 1)
	check := func(when string) {
		t.Helper()
		ws, err := e.WriteSettings(testRegion, "s")
		if err != nil {
			t.Fatalf("%s: WriteSettings: %v", when, err)
		}
		st, err := e.Describe(testRegion, "s")
		if err != nil {
			t.Fatal(err)
		}
		if ws.MaxRecordSizeKiB != st.MaxRecordSizeKiB || ws.EncryptionType != st.EncryptionType {
			t.Fatalf("%s: WriteSettings %+v, Describe has max %d KiB and %q", when, ws, st.MaxRecordSizeKiB, st.EncryptionType)
		}
	}
	check("new stream")
	if ws, _ := e.WriteSettings(testRegion, "s"); ws.MaxRecordSizeKiB != 1024 || ws.EncryptionType != "NONE" {
		t.Fatalf("new stream's write settings %+v, want 1024 KiB and NONE", ws)
	}
	if err := e.SetMaxRecordSize(testRegion, "s", 4096); err != nil {
		t.Fatal(err)
	}
	if err := e.SetEncryption(testRegion, "s", "KMS", "alias/aws/kinesis"); err != nil {
		t.Fatal(err)
	}
	check("after raising the record size and encrypting")
	if ws, _ := e.WriteSettings(testRegion, "s"); ws.MaxRecordSizeKiB != 4096 || ws.EncryptionType != "KMS" {
		t.Fatalf("write settings %+v, want 4096 KiB and KMS", ws)
	}

	if _, err := e.WriteSettings(testRegion, "missing"); !errors.Is(err, ErrStreamNotFound) {
		t.Fatalf("missing stream: %v, want ErrStreamNotFound", err)
	}
	if err := e.DeleteStream(testRegion, "s"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.WriteSettings(testRegion, "s"); !errors.Is(err, ErrStreamNotFound) {
		t.Fatalf("deleted stream: %v, want ErrStreamNotFound", err)
	}
}
