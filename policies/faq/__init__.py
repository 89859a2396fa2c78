"""The FAQ side of the policy engine: the knowledge base, triage of group messages, and the matcher that
decides whether a question is answered, suggested or escalated. Pure, like the rest of `policies/`."""
