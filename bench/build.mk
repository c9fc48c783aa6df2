# Benchmarks: run by hand or by `make bench`, never by `make test`.
bench:
	@echo "bench: no benchmarks yet (they arrive with the native API issue)"
