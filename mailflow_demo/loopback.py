"""Where the demo's embedded servers listen, and the name they greet with."""

HOST = "127.0.0.1"
SERVER_NAME = "mailflow-demo.invalid"   # greeting name: avoids a DNS lookup (getfqdn) per connection
