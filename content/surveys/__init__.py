"""Surveys: definitions (YAML and the console editor), the chat conversation, rounds, answers from other channels,
the statistics and tallies behind the plan's indicators, population weighting and exports."""
