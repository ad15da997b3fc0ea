"""The GitHub Action: reads the event and inputs, reviews the pull request, publishes."""
