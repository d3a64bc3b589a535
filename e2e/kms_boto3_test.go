package e2e

import "testing"

// TestE2EKMSBoto3 runs e2e/scripts/kms_api.py on both boto3 generations:
// keys, Encrypt/Decrypt (with and without KeyId, encryption context,
// tampered blobs), GenerateDataKey, aliases, paging, disable/enable and
// KMS's error codes.
func TestE2EKMSBoto3(t *testing.T) {
	forEachPython(t, func(t *testing.T, g pythonGen, s *Server) {
		res := runScript(t, g.python, s, "kms_api.py")
		checkVersion(t, g, res)
		if resNum(t, res, "keys") < 2 {
			t.Errorf("listed %v keys", res["keys"])
		}
	}, withArgs("--master-key-file", writeMasterKey(t, 0o600)))
}
