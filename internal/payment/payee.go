package payment

import "context"

// PayeeKey names a person's payments of a program.
type PayeeKey struct {
	PersonID int64
	Program  string
}

// paidInto is the account each of keys is paid into, and whose it is:
// the payee's when a payee is recorded for the person and the program
// (the childcare subsidy of a child, paid to the parent or guardian who
// applied) and the payee has an account; else the person's own. A key
// with no account at all is absent.
func paidInto(ctx context.Context, s Store, county string, keys []PayeeKey) (map[PayeeKey]Account, map[PayeeKey]int64, error) {
	persons := make([]int64, 0, len(keys))
	for _, k := range keys {
		persons = append(persons, k.PersonID)
	}
	payees, err := s.PaymentPayees(ctx, county, persons)
	if err != nil {
		return nil, nil, err
	}
	for _, p := range payees {
		persons = append(persons, p)
	}
	accounts, err := s.BankAccounts(ctx, county, persons)
	if err != nil {
		return nil, nil, err
	}
	out, whose := map[PayeeKey]Account{}, map[PayeeKey]int64{}
	for _, k := range keys {
		owner := k.PersonID
		if p, ok := payees[k]; ok {
			if _, has := accounts[p]; has {
				owner = p
			}
		}
		if acc, ok := accounts[owner]; ok {
			out[k], whose[k] = acc, owner
		}
	}
	return out, whose, nil
}

// accountsByPerson is the accounts of paidInto by person, for the keys of one
// program.
func accountsByPerson(accounts map[PayeeKey]Account) map[int64]Account {
	out := make(map[int64]Account, len(accounts))
	for k, a := range accounts {
		out[k.PersonID] = a
	}
	return out
}
