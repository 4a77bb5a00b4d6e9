# make install   a virtualenv (.venv) with awsenv in it
# make test      install every test dependency (shells, AWS CLI v2, nushell, Python packages), run all tests
# make test-fast the in-process tier only (no test marked `process`): about a minute, for the inner loop
# make demo      try awsenv with no AWS account: a local STS on 127.0.0.1 and a throwaway config
# make bench     benchmarks: awsenv built into a wheel, installed into a throwaway virtualenv, against bare Python,
#                a minimal boto3 script, botocore's config loader and the peers here; BENCH_ARGS="--rounds 5" for fewer

PYTEST_ARGS ?= -n 2
BENCH_ARGS ?=

.PHONY: install test test-fast demo bench

install:
	test -x .venv/bin/python || python3 -m venv .venv
	.venv/bin/python -m pip install -q --disable-pip-version-check -e .
	.venv/bin/awsenv --version

test:
	scripts/install-test-deps
	.venv/bin/python -m pytest $(PYTEST_ARGS) --durations=25

test-fast:
	.venv/bin/python -m pytest $(PYTEST_ARGS) -m "not process"

demo:
	scripts/install-test-deps
	.venv/bin/python scripts/demo.py

bench:
	scripts/install-test-deps
	.venv/bin/python -m benchmarks $(BENCH_ARGS)
