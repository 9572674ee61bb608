// Package oracle is the devnet's stand-in for Lido's accounting oracle. It
// watches the model contracts and sends Lido.handleOracleReport (a model-only
// entry point) to finalize withdrawal requests once they are older than the
// bonding period and to credit staking rewards at a fixed APR.
package oracle

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/internal/devnet/devtx"
)

// secondsPerYear is the APR's year: 365 days, as Lido's APR figures use.
const secondsPerYear = 365 * 24 * 60 * 60

// Defaults for Config.
const (
	DefaultInterval       = time.Second
	DefaultRewardInterval = 5 * time.Second
	// callTimeout bounds every RPC round trip and each report's inclusion.
	callTimeout = 30 * time.Second
	// reportMinGas covers a report finalizing the queue's per-report maximum
	// of 200 requests (about 5k gas each), which the estimate may not see.
	reportMinGas = 2_000_000
)

// Config tunes the oracle.
type Config struct {
	// BondingPeriod is how old a request must be, by block timestamp, before
	// a report finalizes it. Rounded up to whole seconds.
	BondingPeriod time.Duration
	// APR is the yearly reward rate in percent on total pooled ether; 0
	// disables rewards.
	APR float64
	// Interval is how often Run looks at the chain (default 1s).
	Interval time.Duration
	// RewardInterval is the least time between two reports sent only for
	// rewards (default 5s). Finalizations do not wait for it.
	RewardInterval time.Duration
	// WallClock makes the oracle take max(latest block time, now) as the
	// time of the next block. Right for nodes that stamp blocks with the wall
	// clock and only mine on demand (the devnet with --block-time 0): there
	// the report itself makes the block, so waiting for the latest block's
	// timestamp to advance would wait forever. Leave it off for nodes whose
	// time is moved by hand (anvil's evm_increaseTime + evm_mine).
	WallClock bool
	// Logger receives one line per report and per error; nil discards.
	Logger *slog.Logger
}

// Report describes one handleOracleReport transaction.
type Report struct {
	TxHash      common.Hash
	BlockNumber uint64
	// Timestamp is the report block's timestamp.
	Timestamp uint64
	// Rewards is the ether credited to the pool.
	Rewards *big.Int
	// FinalizedFrom and FinalizedTo bound the ids finalized, inclusive; both
	// are 0 when the report finalized nothing.
	FinalizedFrom, FinalizedTo uint64
	// EthLocked is the ether moved to the queue for the finalized requests.
	EthLocked *big.Int
	// SharesBurnt is the queue's stETH shares burnt for them.
	SharesBurnt *big.Int
	// TotalPooledEther and TotalShares are the pool after the report.
	TotalPooledEther, TotalShares *big.Int
}

// Finalized reports whether the report finalized any request.
func (r *Report) Finalized() bool { return r.FinalizedTo != 0 }

// Oracle sends reports for one deployment of the model.
type Oracle struct {
	cfg    Config
	sender *devtx.Sender
	client *ethclient.Client
	lido   common.Address
	queue  common.Address
	log    *slog.Logger
}

// New resolves the model from its locator and checks that key is the
// oracle the deployment trusts.
func New(ctx context.Context, client *ethclient.Client, key *ecdsa.PrivateKey, locator common.Address, cfg Config) (*Oracle, error) {
	tctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	sender, err := devtx.NewSender(tctx, client, key)
	if err != nil {
		return nil, err
	}
	return NewWithSender(ctx, sender, locator, cfg)
}

// NewWithSender is New for an existing sender (the oracle account's): the
// devnet's per-chain oracle loop shares one sender among the models of a
// chain.
func NewWithSender(ctx context.Context, sender *devtx.Sender, locator common.Address, cfg Config) (*Oracle, error) {
	if cfg.BondingPeriod < 0 {
		return nil, errors.New("bonding period must not be negative")
	}
	if cfg.APR < 0 || math.IsNaN(cfg.APR) || math.IsInf(cfg.APR, 0) {
		return nil, fmt.Errorf("invalid APR %v", cfg.APR)
	}
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.RewardInterval <= 0 {
		cfg.RewardInterval = DefaultRewardInterval
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()

	client := sender.Client()
	locABI := &contracts.Locator().ABI
	lidoAddr, err := devtx.CallAddress(ctx, client, locABI, locator, "lido")
	if err != nil {
		return nil, fmt.Errorf("resolve Lido from locator: %w", err)
	}
	queue, err := devtx.CallAddress(ctx, client, locABI, locator, "withdrawalQueue")
	if err != nil {
		return nil, fmt.Errorf("resolve withdrawal queue from locator: %w", err)
	}
	trusted, err := devtx.CallAddress(ctx, client, &contracts.Lido().ABI, lidoAddr, "getOracle")
	if err != nil {
		return nil, fmt.Errorf("read Lido oracle: %w", err)
	}
	if trusted != sender.From() {
		return nil, fmt.Errorf("account %s is not the oracle of this deployment (Lido trusts %s)", sender.From(), trusted)
	}
	return &Oracle{cfg: cfg, sender: sender, client: client, lido: lidoAddr, queue: queue, log: logger}, nil
}

// Run reports whenever Step finds something to do, until ctx ends. Errors
// are logged and retried on the next tick; Run returns nil when ctx ends.
func (o *Oracle) Run(ctx context.Context) error {
	ticker := time.NewTicker(o.cfg.Interval)
	defer ticker.Stop()
	for {
		if _, err := o.Step(ctx); err != nil && ctx.Err() == nil {
			o.log.Warn("oracle report failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		}
	}
}

// Step sends a report if a request has outlived the bonding period or
// rewards are due; it returns nil, nil when there was nothing to do.
func (o *Oracle) Step(ctx context.Context) (*Report, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()

	st, err := o.readState(ctx)
	if err != nil {
		return nil, err
	}
	pending := st.oldestPending != nil
	due := pending && *st.oldestPending+o.bondingSeconds() <= st.now
	if o.cfg.APR > 0 && st.now >= st.lastReport+uint64(o.cfg.RewardInterval/time.Second) {
		due = true
	}
	// geth's on-demand blocks get timestamp max(now, parent+1), so a burst
	// of transactions pushes chain time ahead of the wall clock, and only new
	// blocks move it on. While requests wait in that state, report on every
	// tick: each report is a block, so chain time keeps up with the ticks
	// and the request still finalizes about a bonding period from now.
	if o.cfg.WallClock && pending && st.headTime >= uint64(time.Now().Unix()) {
		due = true
	}
	if !due {
		return nil, nil
	}
	return o.report(ctx, st)
}

// ReportOnce sends one report unconditionally: rewards for the time since
// the last report, and finalization of every request old enough by the
// report block's timestamp.
func (o *Oracle) ReportOnce(ctx context.Context) (*Report, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	st, err := o.readState(ctx)
	if err != nil {
		return nil, err
	}
	return o.report(ctx, st)
}

type chainState struct {
	headTime      uint64 // latest block's timestamp
	now           uint64 // expected timestamp of the next block
	lastReport    uint64
	pooledEther   *big.Int
	oldestPending *uint64 // timestamp of the first unfinalized request
}

func (o *Oracle) readState(ctx context.Context) (*chainState, error) {
	head, err := o.client.HeaderByNumber(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("read head: %w", err)
	}
	st := &chainState{headTime: head.Time, now: head.Time}
	if o.cfg.WallClock {
		st.now = max(st.now, uint64(time.Now().Unix()))
	}
	lidoABI := &contracts.Lido().ABI
	last, err := devtx.CallBig(ctx, o.client, lidoABI, o.lido, "getLastReportTimestamp")
	if err != nil {
		return nil, err
	}
	st.lastReport = last.Uint64()
	if st.pooledEther, err = devtx.CallBig(ctx, o.client, lidoABI, o.lido, "getTotalPooledEther"); err != nil {
		return nil, err
	}

	qABI := &contracts.WithdrawalQueue().ABI
	lastID, err := devtx.CallBig(ctx, o.client, qABI, o.queue, "getLastRequestId")
	if err != nil {
		return nil, err
	}
	finalized, err := devtx.CallBig(ctx, o.client, qABI, o.queue, "getLastFinalizedRequestId")
	if err != nil {
		return nil, err
	}
	if lastID.Cmp(finalized) > 0 {
		next := new(big.Int).Add(finalized, big.NewInt(1))
		res, err := devtx.Call(ctx, o.client, qABI, o.queue, "getWithdrawalStatus", []*big.Int{next})
		if err != nil {
			return nil, err
		}
		statuses, ok := res[0].([]struct {
			AmountOfStETH  *big.Int       `json:"amountOfStETH"`
			AmountOfShares *big.Int       `json:"amountOfShares"`
			Owner          common.Address `json:"owner"`
			Timestamp      *big.Int       `json:"timestamp"`
			IsFinalized    bool           `json:"isFinalized"`
			IsClaimed      bool           `json:"isClaimed"`
		})
		if !ok || len(statuses) != 1 {
			return nil, fmt.Errorf("unexpected getWithdrawalStatus result %T", res[0])
		}
		ts := statuses[0].Timestamp.Uint64()
		st.oldestPending = &ts
	}
	return st, nil
}

func (o *Oracle) bondingSeconds() uint64 {
	return uint64((o.cfg.BondingPeriod + time.Second - 1) / time.Second)
}

// rewards is pooled × APR × elapsed / year in integer arithmetic, with the
// APR as parts per million (percent × 1e4).
func (o *Oracle) rewards(pooled *big.Int, elapsed uint64) *big.Int {
	if o.cfg.APR == 0 || elapsed == 0 {
		return new(big.Int)
	}
	ppm := big.NewInt(int64(math.Round(o.cfg.APR * 1e4)))
	r := new(big.Int).Mul(pooled, ppm)
	r.Mul(r, new(big.Int).SetUint64(elapsed))
	return r.Div(r, big.NewInt(1e6*secondsPerYear))
}

func (o *Oracle) report(ctx context.Context, st *chainState) (*Report, error) {
	var elapsed uint64
	// lastReport 0 means "never reported" (the genesis runs at time 0): the
	// first report only starts the clock instead of paying decades of rewards.
	if st.lastReport != 0 && st.now > st.lastReport {
		elapsed = st.now - st.lastReport
	}
	rewards := o.rewards(st.pooledEther, elapsed)
	data, err := contracts.Lido().ABI.Pack("handleOracleReport",
		new(big.Int).SetUint64(o.bondingSeconds()), // _requestTimestampMargin
		maxUint256(), // _maxRequestIdToFinalize: all old enough
		new(big.Int), // _clPenalty
	)
	if err != nil {
		return nil, fmt.Errorf("encode report: %w", err)
	}
	receipt, err := o.sender.Send(ctx, &o.lido, rewards, data, devtx.WithMinGas(reportMinGas))
	if err != nil {
		return nil, fmt.Errorf("send report: %w", err)
	}
	rep, err := parseReport(receipt, o.lido, o.queue)
	if err != nil {
		return nil, err
	}
	rep.Rewards = rewards
	if header, err := o.client.HeaderByNumber(ctx, receipt.BlockNumber); err == nil {
		rep.Timestamp = header.Time
	}
	if rep.Finalized() {
		o.log.Info("oracle report", "block", rep.BlockNumber, "rewards", rep.Rewards,
			"finalized", fmt.Sprintf("%d..%d", rep.FinalizedFrom, rep.FinalizedTo), "ethLocked", rep.EthLocked)
	} else {
		o.log.Debug("oracle report", "block", rep.BlockNumber, "rewards", rep.Rewards)
	}
	return rep, nil
}

// parseReport reads the report's outcome from its logs: WithdrawalsFinalized
// from the queue and TokenRebased from Lido.
func parseReport(receipt *types.Receipt, lidoAddr, queue common.Address) (*Report, error) {
	rep := &Report{
		TxHash:      receipt.TxHash,
		BlockNumber: receipt.BlockNumber.Uint64(),
		EthLocked:   new(big.Int),
		SharesBurnt: new(big.Int),
	}
	qABI := contracts.WithdrawalQueue().ABI
	lidoABI := contracts.Lido().ABI
	finalizedID := qABI.Events["WithdrawalsFinalized"].ID
	rebasedID := lidoABI.Events["TokenRebased"].ID
	for _, l := range receipt.Logs {
		if len(l.Topics) == 0 {
			continue
		}
		switch {
		case l.Address == queue && l.Topics[0] == finalizedID && len(l.Topics) == 3:
			vals, err := qABI.Unpack("WithdrawalsFinalized", l.Data)
			if err != nil {
				return nil, fmt.Errorf("decode WithdrawalsFinalized: %w", err)
			}
			rep.FinalizedFrom = l.Topics[1].Big().Uint64()
			rep.FinalizedTo = l.Topics[2].Big().Uint64()
			rep.EthLocked = vals[0].(*big.Int)
			rep.SharesBurnt = vals[1].(*big.Int)
		case l.Address == lidoAddr && l.Topics[0] == rebasedID:
			vals, err := lidoABI.Unpack("TokenRebased", l.Data)
			if err != nil {
				return nil, fmt.Errorf("decode TokenRebased: %w", err)
			}
			// timeElapsed, preTotalShares, preTotalEther, postTotalShares, postTotalEther, sharesMintedAsFees
			rep.TotalShares = vals[3].(*big.Int)
			rep.TotalPooledEther = vals[4].(*big.Int)
		}
	}
	return rep, nil
}

func maxUint256() *big.Int {
	return new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))
}
