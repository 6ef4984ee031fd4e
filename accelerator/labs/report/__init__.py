"""The managers' lab report and the lab hours shown elsewhere.

periods: the Madrid dates a report covers, its weeks, months and quarters. figures: what the
report shows (utilisation, and the lines of resources, labs and projects). utilisation: counting
those figures for a period (lab_report). charts and exports: the report drawn and as tables.
lab_hours: the programme managers' quota table and a project's lab hours on its page.
"""
