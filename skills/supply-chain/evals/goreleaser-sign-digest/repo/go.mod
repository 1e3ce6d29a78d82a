module github.com/example-org/kvsync

go 1.24
