package withdrawals

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/claim"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/cli/txcmd"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

type waitOptions struct {
	f        *cmdutil.Factory
	ids      []string
	owner    string
	protocol string
	claim    bool
	interval time.Duration
}

func newCmdWait(f *cmdutil.Factory) *cobra.Command {
	o := &waitOptions{f: f}
	cmd := &cobra.Command{
		Use:   "wait [ID...]",
		Short: "Wait until withdrawal requests are claimable (and claim them with --claim)",
		Long: `Poll the chain until the given requests (default: every pending request of
the account) are finalized and claimable. With --claim, claim them as soon as
they are. --timeout limits the whole wait (exit 5 when it runs out); without
it, wait as long as it takes. Ctrl-C stops waiting; nothing is lost.`,
		Example: `  stakewallet withdrawals wait --signer alice
  stakewallet withdrawals wait 12 13 --claim --signer alice --yes
  stakewallet withdrawals wait --owner 0xf39F… --interval 30s --timeout 2h --json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.ids = args
			if !cmd.Flags().Changed("timeout") {
				// The global --timeout bounds inclusion of a transaction; a
				// bonding period is days, so only an explicit one applies.
				o.f.Flags.Timeout = 0
			}
			return runWait(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.owner, "owner", "", "account whose requests to wait for (default: the signer's)")
	cmd.Flags().StringVar(&o.protocol, "protocol", "", "protocol (default: the network's)")
	cmd.Flags().BoolVar(&o.claim, "claim", false, "claim the requests as soon as they are claimable")
	cmd.Flags().DurationVar(&o.interval, "interval", 12*time.Second, "how often to poll")
	return cmd
}

func runWait(ctx context.Context, o *waitOptions) error {
	ids, err := cmdutil.ParseIDs(o.ids)
	if err != nil {
		return err
	}
	if o.interval <= 0 {
		return cmdutil.BadInputf("--interval must be positive")
	}
	if o.claim && o.owner != "" {
		return cmdutil.BadInputf("--claim claims for the signer; it cannot be combined with --owner")
	}
	f := o.f
	var env *txcmd.Env
	var owner common.Address
	if o.claim {
		// Fail now, not after days of waiting, if the claim could not be
		// confirmed or signed.
		if !f.Flags.Yes && !f.Flags.DryRun && !f.IO.CanPrompt() {
			return cmdutil.WithExit(cmdutil.ExitNeedsInput, "confirmation_required",
				errors.New("--claim needs confirmation but stdin is not a terminal: add --yes"))
		}
		if env, err = txcmd.Setup(ctx, f); err != nil {
			return err
		}
		defer env.Close()
		owner = env.From
	} else if owner, err = txcmd.Owner(ctx, f, o.owner, "--owner"); err != nil {
		return err
	}
	p, err := f.Protocol(ctx, o.protocol)
	if err != nil {
		return err
	}
	ws, err := p.Withdrawals(ctx, owner, ids)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		// Default: every request not yet claimed.
		for _, w := range ws {
			if w.Status != protocol.StatusClaimed {
				ids = append(ids, w.ID)
			}
		}
		if len(ids) == 0 {
			return finish(o, env, p, nil, "No pending withdrawal requests: nothing to wait for.")
		}
		ws, err = p.Withdrawals(ctx, owner, ids)
		if err != nil {
			return err
		}
	}
	waitCtx := ctx
	if f.Flags.Timeout > 0 {
		var cancel context.CancelFunc
		waitCtx, cancel = context.WithTimeout(ctx, f.Flags.Timeout)
		defer cancel()
	}
	start := time.Now()
	last := map[string]protocol.Status{}
	report := func(ws []protocol.Withdrawal) {
		for _, w := range ws {
			if last[w.ID.String()] == w.Status {
				continue
			}
			last[w.ID.String()] = w.Status
			if !f.Flags.JSON {
				fmt.Fprintf(f.IO.ErrOut, "%s request %s: %s\n", time.Now().Format("15:04:05"), w.ID, w.Status)
			}
		}
	}
	for {
		report(ws)
		pending := 0
		for _, w := range ws {
			if w.Status == protocol.StatusPending {
				pending++
			}
		}
		if pending == 0 {
			break
		}
		f.IO.StartProgress(fmt.Sprintf("Waiting for %s to be finalized (%s elapsed)", cmdutil.Plural(pending, "request"), time.Since(start).Round(time.Second)))
		select {
		case <-waitCtx.Done():
			f.IO.StopProgress()
			if errors.Is(waitCtx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
				return cmdutil.WithExit(cmdutil.ExitTimeout, "timeout", fmt.Errorf("timed out after %s with %s still pending; resume with `stakewallet withdrawals wait %s`", f.Flags.Timeout, cmdutil.Plural(pending, "request"), cmdutil.JoinIDs(ids)))
			}
			return fmt.Errorf("interrupted; resume with `stakewallet withdrawals wait %s`: %w", cmdutil.JoinIDs(ids), ctx.Err())
		case <-time.After(o.interval):
		}
		next, err := p.Withdrawals(waitCtx, owner, ids)
		if err != nil {
			// A flaky RPC must not end a wait of days: report and retry.
			if waitCtx.Err() == nil {
				fmt.Fprintf(f.IO.ErrOut, "warning: reading request status failed, retrying: %v\n", err)
			}
			continue
		}
		ws = next
	}
	f.IO.StopProgress()
	if o.claim {
		return claim.Claimable(ctx, env, p, ws)
	}
	return finish(o, env, p, ws, fmt.Sprintf("All %s claimable. Claim with `stakewallet claim %s`.", cmdutil.Plural(len(ws), "request"), cmdutil.JoinIDs(ids)))
}

func finish(o *waitOptions, _ *txcmd.Env, _ protocol.Protocol, ws []protocol.Withdrawal, msg string) error {
	f := o.f
	if f.Flags.JSON {
		return output.JSON(f.IO.Out, map[string]any{"withdrawals": JSON(ws)})
	}
	if len(ws) > 0 {
		render(f, ws)
	}
	fmt.Fprintln(f.IO.Out, msg)
	return nil
}
