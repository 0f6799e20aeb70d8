"""The series catalogue and the pandera schemas every delivery passes through."""
