# Convenience targets; the two documented commands are ./run demo and ./run test,
# which need nothing but bash and apt on a bare Debian machine.
ENTERPRISES ?= 9000

.PHONY: setup demo test bench lint clean

setup:
	./run setup

demo:
	./run demo --enterprises $(ENTERPRISES)

test:
	./run test

bench:
	./run bench

lint: setup
	.venv/bin/ruff check gridwatch tests bench scripts

clean:
	rm -rf .venv build *.egg-info .pytest_cache
