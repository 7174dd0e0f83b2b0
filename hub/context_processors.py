from hub.roles import Role, role_at_least, user_role


def roles(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"user_role": user_role(user), "can_coordinate": role_at_least(user, Role.COORDINATOR)}
