"""Scheduled statuses: posted at their time by the scheduler."""
