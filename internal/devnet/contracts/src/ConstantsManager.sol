// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

// Model of Sonic's ConstantsManager for the stakewallet devnet: the subset of
// 0xsoniclabs/sonic-sfc contracts/sfc/ConstantsManager.sol (v4) that the SFC
// model reads, with the real getters, setters, errors and OpenZeppelin 5
// Ownable. SFC.constsAddress() points here, as on Sonic.
//
// Differences from the real contract, all for a devnet that runs in seconds:
//   - updateWithdrawalPeriodTime has no lower bound (the real one refuses
//     less than 3600 s with ValueTooSmall); the upper bound (30 days) stays.
//   - updateWithdrawalPeriodEpochs accepts 0 (the real lower bound is 2): the
//     SFC model never seals epochs, so its withdrawal period is time only.
//   - The constructor sets the defaults the devnet needs (the real contract
//     is configured after deployment by the network initializer).
// Constants the model does not use (fees, rewards, uptime) are left out.
contract ConstantsManager {
    // Minimum amount of stake for a validator.
    uint256 public minSelfStake;
    // Maximum ratio of delegations a validator can have (decimal, 1e18 = 1x).
    uint256 public maxDelegatedRatio;
    // the number of epochs that undelegated stake is locked for
    uint256 public withdrawalPeriodEpochs;
    // the number of seconds that undelegated stake is locked for
    uint256 public withdrawalPeriodTime;

    address private _owner;

    error ValueTooSmall();
    error ValueTooLarge();
    error OwnableUnauthorizedAccount(address account);
    error OwnableInvalidOwner(address owner);

    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    constructor(address owner_) {
        if (owner_ == address(0)) {
            revert OwnableInvalidOwner(address(0));
        }
        _owner = owner_;
        emit OwnershipTransferred(address(0), owner_);
        minSelfStake = 1000 ether;
        maxDelegatedRatio = 16 ether; // 16 * Decimal.unit(), as on Sonic
        withdrawalPeriodEpochs = 0;
        withdrawalPeriodTime = 14 days;
    }

    modifier onlyOwner() {
        if (msg.sender != _owner) {
            revert OwnableUnauthorizedAccount(msg.sender);
        }
        _;
    }

    function owner() external view returns (address) {
        return _owner;
    }

    function updateWithdrawalPeriodEpochs(uint256 v) external onlyOwner {
        if (v > 100) {
            revert ValueTooLarge();
        }
        withdrawalPeriodEpochs = v;
    }

    function updateWithdrawalPeriodTime(uint256 v) external onlyOwner {
        if (v > 30 * 86400) {
            revert ValueTooLarge();
        }
        withdrawalPeriodTime = v;
    }
}
