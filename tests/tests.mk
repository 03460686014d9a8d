# tests/tests.mk -- `make test` (filled in as the suites land).
test: all
	@echo "no tests yet"
