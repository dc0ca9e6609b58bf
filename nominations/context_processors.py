from nominations import rules


def roles(request):
    user = request.user
    return {
        "role": {
            "secretariat": rules.is_secretariat(user),
            "judge": rules.is_judge(user),
            "committee": rules.is_committee(user),
            "applicant": rules.is_applicant(user),
            "recommender": rules.is_recommender(user),
        }
    }
