# A final stage with nothing in it still runs as root without a USER.
# expect+1: PSK403
FROM scratch
COPY tool /tool
ENTRYPOINT ["/tool"]
