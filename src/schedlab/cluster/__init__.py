"""Multi-user Spark-style cluster simulation: jobs of stages of tasks on a pool of executor cores."""
