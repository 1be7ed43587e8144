"""The one document model of a report and its assembly from cards; every renderer reads this."""
