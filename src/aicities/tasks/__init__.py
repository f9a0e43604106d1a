"""The benchmark tasks: evaluation, baselines, the benchmark run and the leaderboard."""
