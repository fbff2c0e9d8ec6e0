"""The hosted UI and the OAuth 2.0 / OpenID Connect endpoints: thin views over the
sign-in steps (emulator/signin) and actions the JSON API runs.

    web.py        request plumbing: context, forms, CSRF, cookies, pool routing, rendering
    authorize.py  the authorization request (/oauth2/authorize, /login) and how it ends
    oauth.py      /oauth2/authorize, /oauth2/token, /oauth2/userInfo, /oauth2/revoke
    pages.py      /login, /logout, the stylesheet and logos
    challenges.py the sign-in's challenge pages (new password, MFA codes, TOTP setup)
    accounts.py   /signup, /confirm, /forgotPassword, /confirmForgotPassword
"""
