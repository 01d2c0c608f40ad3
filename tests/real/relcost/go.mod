module heapgrow.test/relcost

go 1.19
