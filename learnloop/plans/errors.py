from learnloop.errors import BadRequest, NotFound


class PlanNotFound(NotFound):
    code = "plan_not_found"


class InvalidPlan(BadRequest):
    code = "invalid_plan"
