-- A client-credentials-shaped POST for wrk (used with bench/sign-server.mjs).
wrk.method = "POST"
wrk.body = "grant_type=client_credentials&scope=api"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic bTJtOnNlY3JldA=="
