"""Programmes, annual calls, rubrics and eligibility questions."""
