module heapgrow.test/bench/goalloc

go 1.23
