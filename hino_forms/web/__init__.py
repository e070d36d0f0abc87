"""The web page (SPEC §8): check, plan and generate from a browser; ``create_app`` builds it."""
