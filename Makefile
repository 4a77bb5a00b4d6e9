# make install   awsenv on your PATH: `pipx install --force .` when pipx is there, else a virtualenv in
#                ~/.local/share/awsenv/venv linked as ~/.local/bin/awsenv (scripts/install-user)
# make uninstall remove what `make install` made (AWS files, cache and stored keys stay)
# make dev       the developer's virtualenv (.venv) with awsenv installed editable and the test packages
# make test      install every test dependency (shells, AWS CLI v2, nushell, Python packages), run all tests
# make test-fast the in-process tier only (no test marked `process`): about a minute, for the inner loop
# make demo      try awsenv with no AWS account and nothing but awsenv installed: a small local STS (standard
#                library) on 127.0.0.1, a throwaway HOME and config; no input needed
# make bench     benchmarks: awsenv built into a wheel, installed into a throwaway virtualenv, against bare Python,
#                a minimal boto3 script, botocore's config loader and the peers here; BENCH_ARGS="--rounds 5" for fewer;
#                then the shell integration's prompt hook, per prompt, in each shell, and the credential service
#                under 32 concurrent clients

PYTEST_ARGS ?= -n 2
BENCH_ARGS ?=

.PHONY: install uninstall dev test test-fast demo bench

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
	.venv/bin/python -m pytest $(PYTEST_ARGS) --durations=25

test-fast:
	.venv/bin/python -m pytest $(PYTEST_ARGS) -m "not process"

# The demo needs awsenv alone: the developer's .venv when it has awsenv, else .demo-venv with `pip install .` only.
demo:
	@if test -x .venv/bin/awsenv; then py=.venv/bin/python; else \
		test -x .demo-venv/bin/python || python3 -m venv .demo-venv; \
		.demo-venv/bin/python -m pip install -q --disable-pip-version-check . || exit 1; \
		py=.demo-venv/bin/python; fi; \
	$$py scripts/demo.py

bench:
	scripts/install-test-deps
	.venv/bin/python -m benchmarks $(BENCH_ARGS)
	.venv/bin/python -m benchmarks.prompt_hook
	.venv/bin/python -m benchmarks.service_load
