"""Managing the partner labs: details and staff (labs_and_staff), opening hours, closures and
blackouts (opening), resources (resources), trainings and authorisations (trainings).

Programme managers manage every lab; a lab manager only the labs they are attached to. Each
public service checks that policy and its rule, changes the database, writes the audit entry
and commits once.
"""
