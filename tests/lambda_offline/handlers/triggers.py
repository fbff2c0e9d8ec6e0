"""Cognito trigger handlers run by serverless-offline for tests/test_triggers_http.py."""

LEGACY = {"ada": {"password": "legacy", "email": "ada@example.com"}}


def pre_sign_up(event, context):
    event["response"]["autoConfirmUser"] = True
    return event


def pre_token(event, context):
    event["response"]["claimsAndScopeOverrideDetails"] = {
        "idTokenGeneration": {"claimsToAddOrOverride": {"tenant": "acme"}},
        "accessTokenGeneration": {"claimsToAddOrOverride": {"tenant": "acme"}, "scopesToAdd": ["orders/read"]},
    }
    return event


def custom_message(event, context):
    code = event["request"]["codeParameter"]
    event["response"]["emailMessage"] = f"Acme says: {code}"
    event["response"]["emailSubject"] = "Acme"
    return event


def user_migration(event, context):
    found = LEGACY.get(event["userName"])
    if found is None or event["request"].get("password") != found["password"]:
        raise Exception("Bad password")
    event["response"]["userAttributes"] = {"email": found["email"], "email_verified": "true"}
    event["response"]["finalUserStatus"] = "CONFIRMED"
    return event


def define(event, context):
    session = event["request"]["session"]
    if session and session[-1]["challengeName"] == "CUSTOM_CHALLENGE" and session[-1]["challengeResult"]:
        event["response"]["issueTokens"] = True
    elif len(session) >= 3:
        event["response"]["failAuthentication"] = True
    else:
        event["response"]["challengeName"] = "CUSTOM_CHALLENGE"
    return event


def create(event, context):
    event["response"]["publicChallengeParameters"] = {"question": "6 x 7?"}
    event["response"]["privateChallengeParameters"] = {"answer": "42"}
    event["response"]["challengeMetadata"] = "QUIZ"
    return event


def verify(event, context):
    request = event["request"]
    event["response"]["answerCorrect"] = request["challengeAnswer"] == request["privateChallengeParameters"]["answer"]
    return event
