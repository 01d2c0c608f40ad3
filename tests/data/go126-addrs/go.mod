module go126addrs

go 1.26
