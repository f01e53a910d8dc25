-- wrk script: every request with the bearer token from ARGUS_TOKEN.
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("ARGUS_TOKEN") or "")
