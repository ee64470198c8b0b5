"""The command line: parse, call the runner, print. Thin on purpose."""
