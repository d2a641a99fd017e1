// A drill starts its own PostgreSQL, Redis, API and worker, breaks them on purpose and waits
// for the system to settle, on 2 busy cores: 8 minutes per test (the run aims for ~5 in all).
jest.setTimeout(480_000);
