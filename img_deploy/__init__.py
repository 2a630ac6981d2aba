"""Starting the advisor's processes: one Rasa server or several behind nginx, the action
server, and the stock reference bot for benchmarks. Used by `make serve-cluster`,
`make bench`, `make soak` and the cluster test."""
