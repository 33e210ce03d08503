"""Who someone is: logins, sessions, two-factor codes, single sign-on and API tokens."""
