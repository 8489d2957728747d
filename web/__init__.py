"""The web app and REST API (`sohoa serve`): upload and review for staff, search for officers, reports for auditors."""
