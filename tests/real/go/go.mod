module heapgrow.test/real

go 1.19
