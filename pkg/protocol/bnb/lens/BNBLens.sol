// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The reads of BNB Chain native staking the lens makes, with the real
// contracts' signatures (bnb-chain/bsc-genesis-contract contracts/StakeHub.sol
// and StakeCredit.sol at 34618f6; the adapter's ABI, pkg/protocol/bnb/abi/,
// has each of them: lens_test.go checks).
interface IStakeHub {
    struct Description {
        string moniker;
        string identity;
        string website;
        string details;
    }

    struct Commission {
        uint64 rate;
        uint64 maxRate;
        uint64 maxChangeRate;
    }

    function getValidators(uint256 offset, uint256 limit)
        external
        view
        returns (address[] memory operatorAddrs, address[] memory creditAddrs, uint256 totalLength);
    function maxElectedValidators() external view returns (uint256);
    function getValidatorDescription(address operatorAddress) external view returns (Description memory);
    function getValidatorCommission(address operatorAddress) external view returns (Commission memory);
    function getValidatorBasicInfo(address operatorAddress)
        external
        view
        returns (uint256 createdTime, bool jailed, uint256 jailUntil);
}

interface IStakeCredit {
    function totalPooledBNB() external view returns (uint256);
    function symbol() external view returns (string memory);
}

/// BNBLens is never deployed. The wallet runs its creation code with
/// eth_call (a call with no `to`): the constructor makes the dependent reads
/// of the validator listing (getValidators, then each validator's
/// description, commission and basic info and its StakeCredit's pooled BNB
/// and symbol, with maxElectedValidators) inside one call, and reverts with
/// all of it as BNBValidators, so what took two round trips takes one. A
/// revert rather than a return: the answer of a creation is stored as code,
/// which EIP-170 caps at 24 KiB, while revert data has no cap but gas. A
/// read that fails inside reverts with the contract's own error data (no
/// answer: the wallet then reads without the lens, which words the error).
contract BNBLens {
    /// One validator, in the StakeHub's order: its operator address and
    /// StakeCredit (as getValidators lists them), the description's
    /// moniker, the commission's rate (base 10000), whether it is jailed,
    /// and its credit's totalPooledBNB and symbol.
    struct Validator {
        address operator;
        address credit;
        string moniker;
        uint64 commission;
        bool jailed;
        uint256 totalPooled;
        string symbol;
    }

    error BNBValidators(uint256 maxElected, Validator[] validators);

    /// @param hub the StakeHub
    constructor(IStakeHub hub) {
        (address[] memory ops, address[] memory credits,) = hub.getValidators(0, 0);
        if (ops.length != credits.length) {
            revert();
        }
        Validator[] memory vs = new Validator[](ops.length);
        for (uint256 i; i < ops.length; i++) {
            vs[i] = validator(hub, ops[i], credits[i]);
        }
        revert BNBValidators(hub.maxElectedValidators(), vs);
    }

    // validator reads one validator and its credit.
    function validator(IStakeHub hub, address op, address credit) private view returns (Validator memory v) {
        v.operator = op;
        v.credit = credit;
        v.moniker = hub.getValidatorDescription(op).moniker;
        v.commission = hub.getValidatorCommission(op).rate;
        (, v.jailed,) = hub.getValidatorBasicInfo(op);
        v.totalPooled = IStakeCredit(credit).totalPooledBNB();
        v.symbol = IStakeCredit(credit).symbol();
    }
}
