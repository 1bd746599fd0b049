"""Operations endpoints: health checks and the admin view of background jobs."""
