"""Serializers of the case API: requests checked here, payloads described for the schema."""
