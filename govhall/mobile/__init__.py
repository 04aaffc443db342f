"""Mobile entries and their monitoring (定期检测): every phone entry and channel endpoint
registered, probed periodically, with availability by day and alerts."""
