"""Selected projects, their milestones, TRL and quarterly KPI reports, and cohort dashboards."""
