#!/usr/bin/env python3
"""What the original fullstop-cli does for `resolve-violations`: one list call, then one POST per violation,
sequentially, each through requests.post without a session (a new connection per request), the comment as the
raw body. Usage: python3 bench/resolve/one-at-a-time.py URL TOKEN ACCOUNT COMMENT"""
import sys

import requests

base, token, account, comment = sys.argv[1:5]
headers = {'Authorization': 'Bearer ' + token}
page = requests.get(base + '/api/violations', params={'accounts': account, 'size': 1000, 'sort': 'id,DESC'},
                    headers=headers, timeout=30)
page.raise_for_status()
resolved = 0
for violation in page.json()['content']:
    if violation.get('comment'):
        continue
    r = requests.post('{}/api/violations/{}/resolution'.format(base, violation['id']), data=comment,
                      headers=headers, timeout=30)
    r.raise_for_status()
    resolved += 1
print('resolved', resolved, file=sys.stderr)
