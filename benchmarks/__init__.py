"""The benchmark suite of issue 6: how solving time, memory and programme quality grow with
the number of LAs and the horizon, against the baseline planner
(`python -m benchmarks.run --help`)."""
