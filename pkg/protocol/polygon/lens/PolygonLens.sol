// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The reads of Polygon PoS staking the lens makes, with the real
// contracts' signatures (0xPolygon/pos-contracts at ff11f0e0; the adapter's
// ABI, pkg/protocol/polygon/abi.go, has each of them: lens_test.go checks).
interface IStakeManager {
    function NFTCounter() external view returns (uint256);
    function getValidatorContract(uint256 validatorId) external view returns (address);
    function epoch() external view returns (uint256);
    function withdrawalDelay() external view returns (uint256);
}

interface IValidatorShare {
    function unbondNonces(address) external view returns (uint256);
    function unbonds_new(address, uint256) external view returns (uint256 shares, uint256 withdrawEpoch);
    function withdrawExchangeRate() external view returns (uint256);
    function getTotalStake(address user) external view returns (uint256, uint256);
    function getLiquidRewards(address user) external view returns (uint256);
}

interface IRootChain {
    function currentHeaderBlock() external view returns (uint256);
    function headerBlocks(uint256)
        external
        view
        returns (bytes32 root, uint256 start, uint256 end, uint256 createdAt, address proposer);
}

/// PolygonLens is never deployed. The wallet runs its creation code with
/// eth_call (a call with no `to`): the constructor makes the dependent reads
/// of Polygon delegation (the validators, each one's ValidatorShare, the
/// owners' stake, rewards and unbond nonces on each, then every unbond and
/// the withdraw rates, with the epoch, the withdrawal delay and the
/// checkpoints' times) inside one call, and reverts with all of it as
/// PolygonState, so what took two or three round trips takes one. A revert
/// rather than a return: the answer of a creation is stored as code, which
/// EIP-170 caps at 24 KiB, while revert data has no cap but gas. A read that
/// fails inside reverts with the contract's own error data.
contract PolygonLens {
    /// The chain's state: what StakeManager and RootChain say (with
    /// unbonds; zero otherwise). checkpoints are the createdAt of
    /// headerBlocks(headerBlock) and of the one `window` checkpoints before
    /// it (or the first), none before the first checkpoint.
    struct State {
        uint256 epoch;
        uint256 withdrawalDelay;
        uint256 headerBlock;
        uint256 timestamp;
        uint256[] checkpoints;
    }

    /// A validator and its ValidatorShare (zero: none, and nothing else is
    /// read of it); withdrawRate is withdrawExchangeRate() when an owner
    /// has an unbond nonce on it (with unbonds), else zero.
    struct Validator {
        uint256 id;
        address share;
        uint256 withdrawRate;
    }

    /// One owner on one validator, owner by owner, each in the order of
    /// validators: getTotalStake's stake and getLiquidRewards (with
    /// delegations), unbondNonces (with unbonds).
    struct Position {
        uint256 stake;
        uint256 rewards;
        uint256 nonces;
    }

    /// One unbond: unbonds_new(owners[owner], nonce) on validator
    /// validatorId's ValidatorShare.
    struct Unbond {
        uint256 owner;
        uint256 validatorId;
        uint256 nonce;
        uint256 shares;
        uint256 withdrawEpoch;
    }

    error PolygonState(State state, Validator[] validators, Position[] positions, Unbond[] unbonds);

    /// @param sm the StakeManager
    /// @param root the RootChain
    /// @param owners the delegators whose positions are read
    /// @param ids the validators to read, in this order; empty: every
    ///        validator from 1 to NFTCounter() - 1 with a ValidatorShare
    /// @param delegations reads each owner's stake and rewards
    /// @param unbonds reads the state, each owner's unbond nonces, and every
    ///        unbond (1 to unbondNonces of each owner on each validator,
    ///        owner by owner, validator by validator), or, when unbondIds is
    ///        not empty, the unbonds (unbondIds[k], unbondNonces[k]) of
    ///        owners[0]
    /// @param step RootChain's MAX_DEPOSITS, by which checkpoint ids step
    /// @param window how many checkpoints back the second time is read
    constructor(
        IStakeManager sm,
        IRootChain root,
        address[] memory owners,
        uint256[] memory ids,
        bool delegations,
        bool unbonds,
        uint256[] memory unbondIds,
        uint256[] memory unbondNonces,
        uint256 step,
        uint256 window
    ) {
        Validator[] memory vs = list(sm, ids);
        Position[] memory ps = positions(vs, owners, delegations, unbonds);
        Unbond[] memory us;
        State memory st;
        if (unbonds) {
            rates(vs, ps, owners.length);
            us = unbondIds.length == 0 ? every(vs, ps, owners) : some(vs, owners[0], unbondIds, unbondNonces);
            st = state(sm, root, step, window);
        }
        revert PolygonState(st, vs, ps, us);
    }

    // list returns the validators ids names with their ValidatorShares, or
    // every one that has a ValidatorShare.
    function list(IStakeManager sm, uint256[] memory ids) private view returns (Validator[] memory vs) {
        if (ids.length > 0) {
            vs = new Validator[](ids.length);
            for (uint256 i; i < ids.length; i++) {
                vs[i].id = ids[i];
                vs[i].share = sm.getValidatorContract(ids[i]);
            }
            return vs;
        }
        uint256 counter = sm.NFTCounter();
        uint256 last = counter == 0 ? 0 : counter - 1;
        address[] memory shares = new address[](last + 1);
        uint256 n;
        for (uint256 id = 1; id <= last; id++) {
            shares[id] = sm.getValidatorContract(id);
            if (shares[id] != address(0)) {
                n++;
            }
        }
        vs = new Validator[](n);
        uint256 k;
        for (uint256 id = 1; id <= last; id++) {
            if (shares[id] != address(0)) {
                vs[k].id = id;
                vs[k].share = shares[id];
                k++;
            }
        }
    }

    // positions reads each owner on each validator with a ValidatorShare.
    function positions(Validator[] memory vs, address[] memory owners, bool delegations, bool unbonds)
        private
        view
        returns (Position[] memory ps)
    {
        ps = new Position[](owners.length * vs.length);
        for (uint256 o; o < owners.length; o++) {
            for (uint256 i; i < vs.length; i++) {
                if (vs[i].share == address(0)) {
                    continue;
                }
                IValidatorShare share = IValidatorShare(vs[i].share);
                Position memory p = ps[o * vs.length + i];
                if (delegations) {
                    (p.stake,) = share.getTotalStake(owners[o]);
                    p.rewards = share.getLiquidRewards(owners[o]);
                }
                if (unbonds) {
                    p.nonces = share.unbondNonces(owners[o]);
                }
            }
        }
    }

    // rates reads the withdraw rate of each validator some owner has an
    // unbond nonce on.
    function rates(Validator[] memory vs, Position[] memory ps, uint256 owners) private view {
        for (uint256 i; i < vs.length; i++) {
            for (uint256 o; o < owners; o++) {
                if (ps[o * vs.length + i].nonces > 0) {
                    vs[i].withdrawRate = IValidatorShare(vs[i].share).withdrawExchangeRate();
                    break;
                }
            }
        }
    }

    // every reads every unbond of each owner on each validator.
    function every(Validator[] memory vs, Position[] memory ps, address[] memory owners)
        private
        view
        returns (Unbond[] memory us)
    {
        uint256 n;
        for (uint256 k; k < ps.length; k++) {
            n += ps[k].nonces;
        }
        us = new Unbond[](n);
        uint256 next;
        for (uint256 o; o < owners.length; o++) {
            for (uint256 i; i < vs.length; i++) {
                uint256 nonces = ps[o * vs.length + i].nonces;
                for (uint256 nonce = 1; nonce <= nonces; nonce++) {
                    us[next++] = unbond(vs[i], owners, o, nonce);
                }
            }
        }
    }

    // some reads the unbonds (ids[k], nonces[k]) of owner; zero where the
    // validator is not in vs or has no ValidatorShare.
    function some(Validator[] memory vs, address owner, uint256[] memory ids, uint256[] memory nonces)
        private
        view
        returns (Unbond[] memory us)
    {
        us = new Unbond[](ids.length);
        address[] memory owners = new address[](1);
        owners[0] = owner;
        for (uint256 k; k < ids.length; k++) {
            us[k].validatorId = ids[k];
            us[k].nonce = nonces[k];
            for (uint256 i; i < vs.length; i++) {
                if (vs[i].id == ids[k]) {
                    us[k] = unbond(vs[i], owners, 0, nonces[k]);
                    break;
                }
            }
        }
    }

    function unbond(Validator memory v, address[] memory owners, uint256 o, uint256 nonce)
        private
        view
        returns (Unbond memory u)
    {
        u.owner = o;
        u.validatorId = v.id;
        u.nonce = nonce;
        if (v.share != address(0)) {
            (u.shares, u.withdrawEpoch) = IValidatorShare(v.share).unbonds_new(owners[o], nonce);
        }
    }

    // state reads the epoch, the withdrawal delay, the latest checkpoint
    // and the checkpoints' times.
    function state(IStakeManager sm, IRootChain root, uint256 step, uint256 window)
        private
        view
        returns (State memory st)
    {
        st.epoch = sm.epoch();
        st.withdrawalDelay = sm.withdrawalDelay();
        st.headerBlock = root.currentHeaderBlock();
        st.timestamp = block.timestamp;
        if (step == 0 || st.headerBlock < step) {
            return st;
        }
        uint256 back = window;
        if (st.headerBlock / step - 1 < back) {
            back = st.headerBlock / step - 1;
        }
        st.checkpoints = new uint256[](2);
        (,,, st.checkpoints[0],) = root.headerBlocks(st.headerBlock);
        (,,, st.checkpoints[1],) = root.headerBlocks(st.headerBlock - back * step);
    }
}
