"""A user's test project: nothing but the cognito-emulator pytest plugin's fixtures."""

import jwt


def make_pool(idp):
    pool = idp.create_user_pool(PoolName="app", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client = idp.create_user_pool_client(UserPoolId=pool, ClientName="web",
                                         ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH",
                                                            "ALLOW_REFRESH_TOKEN_AUTH"])
    return pool, client["UserPoolClient"]["ClientId"]


def test_sign_up_confirm_sign_in(cognito):
    idp = cognito.client
    pool, client = make_pool(idp)
    idp.sign_up(ClientId=client, Username="ann", Password="Passw0rd!",
                UserAttributes=[{"Name": "email", "Value": "ann@example.com"}])
    idp.confirm_sign_up(ClientId=client, Username="ann",
                        ConfirmationCode=cognito.last_code(userPoolId=pool, type="SIGN_UP"))
    tokens = idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": "ann", "PASSWORD": "Passw0rd!"})
    claims = jwt.decode(tokens["AuthenticationResult"]["IdToken"], options={"verify_signature": False})
    assert claims["email_verified"] is True
    assert cognito.endpoint_url.startswith("http://127.0.0.1:")


def test_each_test_starts_empty(cognito):
    assert cognito.client.list_user_pools(MaxResults=10)["UserPools"] == []
    assert cognito.messages() == []
    make_pool(cognito.client)


def test_and_still_empty_after_the_last_one(cognito):
    assert cognito.client.list_user_pools(MaxResults=10)["UserPools"] == []


def test_the_clock_moves_without_sleeping(cognito):
    idp = cognito.client
    pool, client = make_pool(idp)
    idp.admin_create_user(UserPoolId=pool, Username="bo", TemporaryPassword="Passw0rd!",
                          MessageAction="SUPPRESS")
    cognito.clock.advance(8 * 86400)  # past the 7-day temporary password
    try:
        idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": "bo", "PASSWORD": "Passw0rd!"})
    except idp.exceptions.NotAuthorizedException as err:
        assert "expired" in str(err)
    else:
        raise AssertionError("an expired temporary password signed in")
