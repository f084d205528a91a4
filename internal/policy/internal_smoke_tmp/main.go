package main

import (
	"fmt"
	"os"

	"github.com/jiahe-project/jiahe/internal/policy"
)

func main() {
	for _, a := range os.Args[1:] {
		f, _ := os.Open(a)
		c, err := policy.ParseCase(f, nil)
		if err != nil {
			fmt.Println("ERR", err)
			continue
		}
		r, err := policy.Evaluate(c)
		if err != nil {
			fmt.Println("ERR", err)
			continue
		}
		fmt.Println(a, r.Version)
		for _, d := range r.Decisions {
			fmt.Printf("  %-3s %-22s %-5v %8d %2d %v\n", d.Person, d.Program, d.Eligible, d.AmountFen, d.Months, d.Funding)
			if os.Getenv("V") != "" {
				for _, c := range d.Clauses {
					fmt.Printf("        %v %s %s\n", c.OK, c.ID, c.Text)
				}
			}
		}
	}
}
