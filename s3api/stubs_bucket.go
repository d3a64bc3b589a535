package s3api

// Placeholders until the bucket actions land; each file that implements
// one removes its line here. (All bucket actions have landed.)
