# make install   awsenv on your PATH: `pipx install --force .` when pipx is there, else a virtualenv in
#                ~/.local/share/awsenv/venv linked as ~/.local/bin/awsenv (scripts/install-user)
# make uninstall remove what `make install` made (AWS files, cache and stored keys stay)
# make dev       the developer's virtualenv (.venv) with awsenv installed editable and the test packages
# make test      install every test dependency (shells, AWS CLI v2, nushell, Python packages), run all tests
# make demo      try awsenv with no AWS account: a local STS on 127.0.0.1 and a throwaway config
# make bench     benchmarks: awsenv built into a wheel, installed into a throwaway virtualenv, against bare Python,
#                a minimal boto3 script, botocore's config loader and the peers here; BENCH_ARGS="--rounds 5" for fewer

PYTEST_ARGS ?= -n 2
BENCH_ARGS ?=

.PHONY: install uninstall dev test demo bench

install:
	scripts/install-user

uninstall:
	scripts/install-user --uninstall

dev:
	test -x .venv/bin/python || python3 -m venv .venv
	.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
	.venv/bin/awsenv --version

test:
	scripts/install-test-deps
	.venv/bin/python -m pytest $(PYTEST_ARGS)

demo:
	scripts/install-test-deps
	.venv/bin/python scripts/demo.py

bench:
	scripts/install-test-deps
	.venv/bin/python -m benchmarks $(BENCH_ARGS)
